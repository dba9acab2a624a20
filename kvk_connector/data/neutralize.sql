-- a copied database never calls the real KvK register
UPDATE res_company
   SET kvk_mode = 'sandbox';

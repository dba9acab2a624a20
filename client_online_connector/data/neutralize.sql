-- a copied database never sends documents to the real portal
UPDATE res_company
   SET client_online_mode = 'sandbox';

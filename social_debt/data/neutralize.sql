-- a copied database never calls the real KSZ/BCSS
UPDATE res_company
   SET social_debt_mode = 'sandbox';

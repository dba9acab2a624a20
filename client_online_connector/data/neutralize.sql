-- a copied database never sends documents to the real portal, and never takes files from the office's folders
UPDATE res_company
   SET client_online_mode = 'sandbox',
       client_online_folder_inbox = NULL,
       client_online_folder_approved = NULL,
       client_online_folder_rejected = NULL,
       client_online_folder_not_found = NULL,
       client_online_folder_failed = NULL;

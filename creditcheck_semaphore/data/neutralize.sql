-- a copied database never calls the real CreditCheck service
INSERT INTO ir_config_parameter (key, value)
VALUES ('creditcheck_semaphore.mode', 'sandbox')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;

-- The tokens the latest generation's AI calls read and wrote, summed as the providers
-- reported them (0 when they reported nothing).

ALTER TABLE variants ADD COLUMN total_input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE variants ADD COLUMN total_output_tokens INTEGER NOT NULL DEFAULT 0;

// The Hugging Face hub's default address, apart from the hub client so pages can name it cheaply.

/**
 * Where hub models are fetched from unless a setting or option says otherwise. Kept in its own
 * module so that the page and the plan worker can show or pass it without loading the client.
 */
export const DEFAULT_HUB_BASE = 'https://huggingface.co';

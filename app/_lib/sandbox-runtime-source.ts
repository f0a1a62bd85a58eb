// The sandbox runtime script, inlined at build time by next.config.mjs; loaded on demand.

/** Source of the classic script that runs code cells inside the sandbox (empty if not built). */
export const SANDBOX_RUNTIME: string = process.env.HW_SANDBOX_RUNTIME ?? '';

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script with its SHA1, for EVALSHA. */
export interface LuaScript {
  text: string;
  sha: string;
}

export function script(text: string): LuaScript {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}

/** EVALSHA, then EVAL when Redis does not know the script yet (a restart, a SCRIPT FLUSH). */
export async function runScript(client: Redis, lua: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return await client.eval(lua.text, keys.length, ...keys, ...args);
  }
}

import { z } from "zod";

/**
 * A deployment's Redis key prefix, and the prefixes of its key generations (a rebuild writes a
 * new generation beside the active one; see adapters/redis-store.ts). Both the stack's parameters
 * and the functions' configuration check a prefix with this one schema.
 */

/** A generation's prefix ends so: `orders:` -> `orders:gen2:`, `orders:gen3:`... */
const GENERATION_SUFFIX = /gen\d+:$/;

export const KeyPrefixSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^{}]+$/, "may not contain { or } (the store makes the prefix a hash tag)")
  .refine((prefix) => !GENERATION_SUFFIX.test(prefix), {
    message:
      "ends like a rebuild's key generation (gen<N>:): another deployment's rebuild on the same Redis could take its keys for its own and delete them; choose a prefix that does not end in gen<N>:",
  });

/** The stack's key prefix unless `-c keyPrefix=...` says otherwise. */
export const DEFAULT_KEY_PREFIX = "orders:";

/** The key prefix of a generation: the first is the key prefix itself (`orders:`), then `orders:gen2:`... */
export function generationPrefix(keyPrefix: string, generation: number): string {
  return generation === 0 ? keyPrefix : `${generationsPrefix(keyPrefix)}${generation}:`;
}

/** What every generation's key prefix but the first starts with: `orders:` -> `orders:gen`. */
export function generationsPrefix(keyPrefix: string): string {
  return `${keyPrefix}gen`;
}

import { LOCAL_CREDENTIALS } from "../../local/embedded-aws";
import type { EndpointGuard } from "../../local/local-endpoint";
import type { SecretStore } from "../../local/secrets";

/** For a local endpoint started alone: clients signing with LOCAL_CREDENTIALS, loopback names only. */
export const SIGNED_LOCALLY: EndpointGuard = { allowedHosts: [], accessKeyId: LOCAL_CREDENTIALS.accessKeyId };

/** Secret values kept nowhere (a test's secrets last as long as the test). */
export const NOTHING_KEPT: SecretStore = { secret: () => undefined, storeSecret: () => {} };

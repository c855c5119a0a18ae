/**
 * The API's schemas as the server states them in `/openapi.json`: `generated/api.d.ts` is made from
 * that document (`make api-types`), and a test fails when it is not what the server states now. The
 * client names its request and response types after these, never by hand.
 */

import type { components } from "./generated/api";

export type Schemas = components["schemas"];

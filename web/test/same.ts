/** Type-level comparisons for the tests that hold the client's types against the server's; tsc makes
 * them, and fails the run when one does not hold. */

/** True only when A and B are the same type, field for field (optional and union alike). */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** True when every value of A is one of B. */
export type Within<A, B> = [A] extends [B] ? true : false;

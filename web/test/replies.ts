// Compiled by `tsc --strict --noEmit` (cargo xtask web-ci): `MethodReplies`,
// the map web/test/types.test.mjs checks replies against, is exactly what
// each method of `DomoClient` declares it resolves to, and names every
// method that returns a Promise. An entry that drifts from its method, a
// method without an entry or an entry without a method is a compile error
// naming it.
import type { AppCollection, AppCollectionReplies, DomoClient, MethodReplies } from "@domo-rs/datasets";

/** Whether A and B are the same type (not merely assignable either way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** The methods of DomoClient that return a Promise. */
type Promising = {
  [K in keyof DomoClient]: DomoClient[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof DomoClient];

type Unmapped = Exclude<Promising, keyof MethodReplies>;
type NotMethods = Exclude<keyof MethodReplies, Promising>;
type Drifted = {
  [K in keyof MethodReplies & Promising]: Same<MethodReplies[K], Awaited<ReturnType<DomoClient[K]>>> extends true
    ? never
    : K;
}[keyof MethodReplies & Promising];

// Each is `never[]` only when no method is in it; otherwise tsc names them.
export const unmapped: never[] = [] as Unmapped[];
export const notMethods: never[] = [] as NotMethods[];
export const drifted: never[] = [] as Drifted[];

// The same for `AppCollection` (what `appDb(name)` returns) and its map.
type CollectionPromising = {
  [K in keyof AppCollection]: AppCollection[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof AppCollection];
type CollectionDrifted = {
  [K in keyof AppCollectionReplies & CollectionPromising]: Same<
    AppCollectionReplies[K],
    Awaited<ReturnType<AppCollection[K]>>
  > extends true
    ? never
    : K;
}[keyof AppCollectionReplies & CollectionPromising];
export const collectionUnmapped: never[] = [] as Exclude<CollectionPromising, keyof AppCollectionReplies>[];
export const collectionNotMethods: never[] = [] as Exclude<keyof AppCollectionReplies, CollectionPromising>[];
export const collectionDrifted: never[] = [] as CollectionDrifted[];

/** When examples/inventory.json was captured (scripts/make-example-inventory.ts); `npm start` plans as of then. */
export const EXAMPLE_CAPTURED_AT = "2026-11-28T06:00:00Z";

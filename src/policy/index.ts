/** The policy language: YAML files in, validated `RetentionPolicy` values out. */
export { toRetentionPolicy } from "./convert.js";
export { POLICY_SCHEMA_ID, policyJsonSchema, policyJsonSchemaText } from "./json-schema.js";
export { loadPolicyFiles, parsePolicyText } from "./load.js";
export { type PolicyFileInput, type PolicyInput, type PolicyParsed, policyFileSchema, policySchema } from "./schema.js";

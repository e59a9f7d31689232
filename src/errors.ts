/**
 * Every error this project throws on purpose lives here (one small hierarchy,
 * the Powertools habit). `UserInputError`s are the user's mistakes: the CLI prints
 * their message without a stack trace and exits 2, having changed nothing.
 */

/** A position in an input file, 1-based, as editors and CI annotations expect. */
export interface SourceIssue {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatIssue(issue: SourceIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.message}`;
}

export class RetentionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RetentionError";
  }
}

/** Bad input from the user: exit 2, nothing changed. */
export class UserInputError extends RetentionError {
  readonly exitCode = 2;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UserInputError";
  }
}

/** One or more problems in policy files, each with its position. */
export class PolicyValidationError extends UserInputError {
  readonly issues: SourceIssue[];
  constructor(issues: SourceIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "PolicyValidationError";
    this.issues = issues;
  }
}

/**
 * An inventory file that is not what `aws cloudhsmv2 describe-backups` prints.
 * `issues` are the ones reported; `more` counts those left out (a line says how many).
 */
export class InventoryError extends UserInputError {
  readonly issues: SourceIssue[];
  readonly more: number;
  constructor(issues: SourceIssue[], more = 0) {
    const lines = issues.map(formatIssue);
    if (more > 0) lines.push(`${issues[0]?.file ?? "inventory"}: and ${more} more problems`);
    super(lines.join("\n"));
    this.name = "InventoryError";
    this.issues = issues;
    this.more = more;
  }
}

/** One group selected by two policies. */
export interface PolicyConflict {
  group: string;
  /** The two policy names, in code-unit order. */
  policies: [string, string];
}

/** Policies select the same groups: ambiguous, so nothing is planned. Every conflicting group is named. */
export class PolicyConflictError extends UserInputError {
  readonly conflicts: PolicyConflict[];
  constructor(conflicts: PolicyConflict[]) {
    const lines = conflicts.map((c) => `group ${c.group} is selected by two policies: "${c.policies[0]}" and "${c.policies[1]}"`);
    super(`${lines.join("\n")}\nnarrow one policy's select so that each group has one policy`);
    this.name = "PolicyConflictError";
    this.conflicts = conflicts;
  }
}

/**
 * The same backup ID twice in the planner's input. Not a user mistake: inputs are
 * de-duplicated at the boundary (inventory, listing), so reaching the planner with one
 * is a bug upstream, and planning it could delete a kept backup's twin.
 */
export class DuplicateBackupError extends RetentionError {
  readonly backupIds: string[];
  constructor(backupIds: string[]) {
    const shown = backupIds.slice(0, 5).join(", ") + (backupIds.length > 5 ? `, and ${backupIds.length - 5} more` : "");
    super(`refusing to plan: backup IDs appear more than once in the input (${shown})`);
    this.name = "DuplicateBackupError";
    this.backupIds = backupIds;
  }
}

/** A command-line usage mistake (bad flag value, missing file). */
export class UsageError extends UserInputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * The machine is not set up to run (no AWS credentials, a malformed endpoint URL): exit 2,
 * nothing touched, one line that names the cause and the fix.
 */
export class SetupError extends UserInputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SetupError";
  }
}

export function isUserInputError(err: unknown): err is UserInputError {
  return err instanceof UserInputError;
}

/**
 * The ledger (DynamoDB) could not be read or written. Deleting runs stop deleting, and
 * reminder runs stop sending, rather than act without a record: failures are loud.
 */
export class LedgerError extends RetentionError {
  constructor(message: string, options?: ErrorOptions) {
    super(`ledger: ${message}`, options);
    this.name = "LedgerError";
  }
}

/** A message or event could not be delivered after retries. */
export class AlertDeliveryError extends RetentionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AlertDeliveryError";
  }
}

/**
 * An alert that cannot be rendered within SNS's and Chatbot's limits without cutting
 * something that must not be cut (a restore link, a backup from a digest). Not a user
 * mistake: alert data comes from this service; the alert path fails loudly instead of
 * sending a message that silently lacks a backup or carries a broken link.
 */
export class AlertRenderError extends RetentionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AlertRenderError";
  }
}

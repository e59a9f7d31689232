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

/** Two policies select the same group: ambiguous, so nothing is planned. */
export class PolicyConflictError extends UserInputError {
  readonly group: string;
  readonly policies: [string, string];
  constructor(group: string, policies: [string, string]) {
    super(`group ${group} is selected by two policies: "${policies[0]}" and "${policies[1]}"; narrow one policy's select`);
    this.name = "PolicyConflictError";
    this.group = group;
    this.policies = policies;
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

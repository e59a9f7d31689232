/**
 * The examples `--help` prints after each command's options: what people type most,
 * each line ready to paste (from the repository root, where policies/ and
 * examples/inventory.json are).
 */
const block = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;

export const EXAMPLES = {
  program: block([
    "$ cloudhsm-retention validate policies/",
    "$ cloudhsm-retention plan --policy policies/ --region us-east-1",
    "$ cloudhsm-retention plan --policy policies/ --inventory backups.json --compare main:policies/ --format markdown",
    "$ cloudhsm-retention apply --policy policies/ --region us-east-1 --region us-west-2",
    "$ npm start    # the whole job against an embedded local AWS endpoint, no account needed",
    "",
    "Run `cloudhsm-retention <command> --help` for a command's options and examples.",
  ]),
  validate: block([
    "$ cloudhsm-retention validate policies/                  # every *.yml/*.yaml inside, recursively",
    "$ cloudhsm-retention validate policies/prod.yml policies/dr.yml",
    "",
    "Each problem prints as file:line:col: message (exit 2); a valid set lists each policy (exit 0).",
  ]),
  plan: block([
    "# live, like terraform plan: lists the regions with your AWS credentials, changes nothing",
    "$ cloudhsm-retention plan --policy policies/ --region us-east-1 --region us-west-2",
    "# respecting the holds of restored backups, as apply does (read-only; the table's region: AWS_REGION)",
    "$ cloudhsm-retention plan --policy policies/ --region us-east-1 --ledger-table retention-ledger",
    "# from a saved listing",
    "$ aws cloudhsmv2 describe-backups --region us-east-1 > backups.json",
    "$ cloudhsm-retention plan --policy policies/ --inventory backups.json --region us-east-1",
    "# what a policy change does: the same backups planned under the old and the new policies",
    "$ cloudhsm-retention plan --policy policies/ --inventory backups.json --compare main:policies/",
    "$ cloudhsm-retention plan --policy policies/ --inventory backups.json --compare old/prod.yml --format json",
    "# a pull-request comment, and a timeline page to open in a browser",
    "$ cloudhsm-retention plan --policy policies/ --region us-east-1 --format markdown --out plan.md",
    "$ cloudhsm-retention plan --policy policies/ --inventory examples/inventory.json --format html --out plan.html",
    "",
    "Exit 0, 2 invalid input, 3 a region could not be listed, 4 a guard halted an enforce-mode policy.",
  ]),
  start: block(["$ npm start", "$ npm start -- --serve      # keep the local endpoint up afterwards", "$ npm start -- --verbose    # every backup with its reasons"]),
  apply: block([
    "$ cloudhsm-retention apply --policy policies/ --region us-east-1 --dry-run",
    "$ cloudhsm-retention apply --policy policies/ --region us-east-1 --region us-west-2 \\",
    "    --topic-arn arn:aws:sns:us-east-1:123456789012:alerts --ledger-table retention-ledger \\",
    "    --restore-base-url https://restore.example.com",
    "$ cloudhsm-retention apply --policy policies/example.yml --region us-east-1 --endpoint-url http://127.0.0.1:4566",
    "",
    "Exit 0 done, 2 invalid input (nothing changed), 3 some deletions or listings failed, 4 a guard halted, 130 interrupted.",
  ]),
  remind: block([
    "$ cloudhsm-retention remind --policy policies/ --region us-east-1 --dry-run",
    "$ cloudhsm-retention remind --policy policies/ --region us-east-1 --dry-run --now 2026-12-03T06:00:00Z",
    "$ cloudhsm-retention remind --policy policies/ --region us-east-1 --topic-arn arn:aws:sns:us-east-1:123456789012:alerts \\",
    "    --ledger-table retention-ledger --restore-base-url https://restore.example.com",
  ]),
  restore: block([
    "$ cloudhsm-retention restore backup-4kq2mzxw7ab --region us-east-1                # held from policy for 30 days",
    "$ cloudhsm-retention restore backup-4kq2mzxw7ab --region us-east-1 --hold 90d --policy policies/",
    "$ cloudhsm-retention restore backup-4kq2mzxw7ab --region us-east-1 --pin          # NeverExpires: kept forever",
    "",
    "Exit 0 restored or already back, 2 bad input or set-up, 3 AWS refused, 4 gone for good.",
  ]),
  serve: block([
    "$ cloudhsm-retention serve                                  # the restore page on http://127.0.0.1:8787",
    "$ cloudhsm-retention serve --endpoint-url http://127.0.0.1:4566 --policy policies/ --log",
  ]),
  emulator: block([
    "$ cloudhsm-retention emulator --port 4566 --seed example",
    "$ AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws cloudhsmv2 describe-backups \\",
    "    --endpoint-url http://127.0.0.1:4566 --region us-east-1",
    "$ cloudhsm-retention emulator --port 0 --seed examples/inventory.json --now 2026-11-28T06:00:00Z",
  ]),
} as const;

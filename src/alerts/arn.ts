/**
 * A CloudHSM backup's ARN, `arn:<partition>:cloudhsm:<region>:<account>:backup/<id>`
 * (Service Authorization Reference, resource type `backup`). The partition follows the
 * region: `aws-cn` for China, `aws-us-gov` for GovCloud, `aws` elsewhere, so a rule
 * written against these ARNs matches what IAM and CloudTrail show.
 */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}

/** @example backupArn("us-east-1", "111122223333", "backup-abc") */
export function backupArn(region: string, accountId: string, backupId: string): string {
  return `arn:${partitionOf(region)}:cloudhsm:${region}:${accountId}:backup/${backupId}`;
}

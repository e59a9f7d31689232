import type { Plan, RetentionPolicy } from "../../domain/types.js";
import type { RegionListing } from "../../jobs/list.js";
import { type CompareInput, compareToJson, renderCompareTable } from "./compare.js";
import { renderPlanHtml } from "./html/page.js";
import { planToJson } from "./json.js";
import { renderPlanMarkdown } from "./markdown.js";
import { renderPlanTable, type Style } from "./table.js";
import { plural } from "./words.js";

export interface PlanOutput {
  plan: Plan;
  policies: readonly RetentionPolicy[];
  compare?: CompareInput | undefined;
  /** A live plan's listings (per region: backups, calls, or the error). */
  listings?: readonly RegionListing[] | undefined;
  style: Style;
  verbose?: boolean | undefined;
}

/** `plan` in each of its formats; one function so every format sees the same inputs. */
export function renderPlanOutput(format: "table" | "json" | "markdown" | "html", o: PlanOutput): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(
        { ...planToJson(o.plan), ...(o.listings ? { listings: o.listings } : {}), ...(o.compare ? { compare: compareToJson(o.compare) } : {}) },
        null,
        2,
      )}\n`;
    case "markdown":
      return renderPlanMarkdown(o.plan, { compare: o.compare, listingErrors: listingErrors(o.listings) });
    case "html":
      return renderPlanHtml(o.plan, o.policies, { compare: o.compare, listings: o.listings });
    case "table": {
      const main = o.compare ? renderCompareTable(o.compare, o.style, { verbose: o.verbose }) : renderPlanTable(o.plan, o.style, { verbose: o.verbose });
      const listed = (o.listings ?? []).map((l) =>
        l.error ? o.style.delete(`Listing ${l.region} FAILED: ${l.error}; nothing there is planned`) : `Listed ${l.region}: ${plural(l.backups, "backup")} in ${plural(l.calls, "DescribeBackups call")}`,
      );
      return listed.length > 0 ? `${main}\n${listed.join("\n")}\n` : main;
    }
  }
}

function listingErrors(listings: readonly RegionListing[] | undefined): string[] {
  return (listings ?? []).flatMap((l) => (l.error ? [`${l.region} could not be listed: ${l.error}; nothing there is planned`] : []));
}

// esbuild plugins for serverless-esbuild (custom.esbuild.plugins in serverless.yml; also
// loaded by bench/bundles.ts, so what is measured is what ships). CommonJS because
// serverless-esbuild loads this file with require().
//
// dedupe-aws-sdk: client-cloudhsm-v2 is pinned at 3.332.0, so npm hoists its older
// credential providers to node_modules/@aws-sdk/, and every current client (SNS, SSM,
// DynamoDB, EventBridge) gets its own nested copy of the same current version. esbuild
// bundles each copy: four identical copies of the credential provider chain. This plugin
// resolves every `@aws-sdk/*` and `@smithy/*` import to one copy per package version (the
// first path in sorted order, so builds are reproducible). Only identical versions are
// merged: the code is the same, just not duplicated (measured in `npm run bench`).
const { existsSync, readdirSync, readFileSync } = require("node:fs");
const { join, sep } = require("node:path");

/** `/x/node_modules/@aws-sdk/client-ssm/node_modules/@aws-sdk/core/dist-es/a.js` → package root and name. */
function packageOf(file) {
  const m = /^(.*[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+))[\\/]/.exec(file);
  return m ? { root: m[1], name: m[2].split(sep).join("/") } : undefined;
}

function versionOf(root) {
  try {
    return JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

/** Every installed copy of `name` under the top node_modules: hoisted, or nested one level in a package. */
function copiesOf(nodeModules, name) {
  const found = [join(nodeModules, name)];
  for (const entry of readdirSync(nodeModules)) {
    const owners = entry.startsWith("@") ? readdirSync(join(nodeModules, entry)).map((n) => join(nodeModules, entry, n)) : [join(nodeModules, entry)];
    for (const owner of owners) found.push(join(owner, "node_modules", name));
  }
  return found.filter((dir) => existsSync(join(dir, "package.json"))).sort();
}

const dedupeAwsSdk = {
  name: "dedupe-aws-sdk",
  setup(build) {
    /** `name@version` → the canonical package root. */
    const canonical = new Map();
    build.onResolve({ filter: /^@(aws-sdk|smithy)\// }, async (args) => {
      if (args.pluginData === "dedupe-aws-sdk") return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "dedupe-aws-sdk" });
      if (resolved.errors.length > 0 || resolved.external) return resolved;
      const pkg = packageOf(resolved.path);
      if (!pkg) return resolved;
      const version = versionOf(pkg.root);
      const key = `${pkg.name}@${version}`;
      let root = canonical.get(key);
      if (root === undefined) {
        const top = pkg.root.slice(0, pkg.root.indexOf(`${sep}node_modules${sep}`) + `${sep}node_modules`.length);
        root = copiesOf(top, pkg.name).find((dir) => versionOf(dir) === version) ?? pkg.root;
        canonical.set(key, root);
      }
      return { ...resolved, path: root + resolved.path.slice(pkg.root.length) };
    });
  },
};

module.exports = [dedupeAwsSdk];

// Validates an HSDS tabular data package with Frictionless' own library
// (datapackage-js): the descriptor against the tabular-data-package
// profile, then every row of every resource read and cast through its
// table schema. Usage: node datapackage.mjs PATH/datapackage.json
import datapackage from 'datapackage';

const { Package } = datapackage;
const path = process.argv[2];
const pkg = await Package.load(path, { basePath: path.replace(/\/[^/]*$/, '') });
if (!pkg.valid) {
  for (const e of pkg.errors) console.error(`FAIL descriptor: ${e.message}`);
  process.exit(1);
}
if (pkg.descriptor.profile !== 'tabular-data-package') {
  console.error(`FAIL descriptor: profile is ${pkg.descriptor.profile}, want tabular-data-package`);
  process.exit(1);
}
let rows = 0;
let failed = 0;
for (const r of pkg.resources) {
  if (!r.tabular || !r.schema) {
    console.error(`FAIL ${r.name}: not a tabular resource with a table schema`);
    failed++;
    continue;
  }
  try {
    const table = await r.table;
    const headers = (await table.read({ limit: 0, keyed: false }), table.headers);
    const want = r.schema.fieldNames;
    if (JSON.stringify(headers) !== JSON.stringify(want)) {
      console.error(`FAIL ${r.name}: header ${headers} differs from the schema's fields ${want}`);
      failed++;
    }
    rows += (await r.read({ cast: true })).length;
  } catch (e) {
    const errs = e.errors ? e.errors.map((x) => x.message).join('; ') : e.message;
    console.error(`FAIL ${r.name}: ${errs}`);
    failed++;
  }
}
if (failed) process.exit(1);
console.log(`ok   datapackage.json is a valid tabular data package: ${pkg.resources.length} resources, ${rows} rows cast by their schemas`);

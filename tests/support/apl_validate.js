// Validates APL documents with Amazon's apl-suggester (StaticAplTemplateValidator), offline.
// Reads a JSON object {name: document, ...} on stdin; prints {name: [finding, ...], ...} on stdout.
// Usage: node apl_validate.js <the node_modules folder that holds apl-suggester>
// Any attempt to fetch an imported package is refused and reported as a finding of that document:
// nothing downloads at test time, and a document that needs a download cannot pass unnoticed.
'use strict';
const path = require('path');
const modules = path.resolve(process.argv[2]);
const suggester = require.resolve(path.join(modules, 'apl-suggester'));
const axios = require(require.resolve('axios', { paths: [suggester] }));
const fetches = [];
const refuse = (url) => { fetches.push(url); return Promise.reject(new Error(`offline: refused ${url}`)); };
(axios.default || axios).get = refuse;
const { StaticAplTemplateValidator } = require(suggester);

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  const documents = JSON.parse(input);
  const validator = new StaticAplTemplateValidator();
  const findings = {};
  for (const [name, document] of Object.entries(documents)) {
    fetches.length = 0;
    const results = await validator.validate(document);
    findings[name] = results.map((r) => ({ path: r.path, message: r.errorMessage, level: r.level }))
      .concat(fetches.map((url) => ({ path: '/import', message: `needs a download: ${url}`, level: 'ERROR' })));
  }
  process.stdout.write(JSON.stringify(findings));
});

// Parses an AsyncAPI document with @asyncapi/parser and prints every diagnostic; exits 1 when any is an error.
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';

const { document, diagnostics } = await new Parser().parse(readFileSync(process.argv[2], 'utf8'));
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
for (const d of diagnostics) console.log(`severity ${d.severity} ${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
console.log(`errors: ${errors.length}, document: ${document ? 'parsed' : 'none'}`);
process.exit(errors.length === 0 && document ? 0 : 1);

import type { ConformanceReport } from './conformance.js';

// Messages carry text from the app (its errors): anything XML 1.0 does not allow as a character
// (controls, U+FFFE/U+FFFF, lone surrogates) is dropped, or CI systems could not parse the report.
const xml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '');

/** A conformance report as JUnit XML (one testsuite, one testcase per check), for CI systems. */
export function conformanceJunit(report: ConformanceReport): string {
  const name = report.app ? `${report.app.id}@${report.app.version}` : report.target;
  const failures = report.checks.filter((c) => c.status === 'failed').length;
  const skipped = report.checks.filter((c) => c.status === 'skipped').length;
  const cases = report.checks.map((c) => {
    const open = `    <testcase classname="${xml(`miniapp.conformance.${c.name.split('.')[0]}`)}" name="${xml(c.name)}" time="${((c.ms ?? 0) / 1000).toFixed(3)}"${c.file ? ` file="${xml(c.file)}"` : ''}${c.line ? ` line="${c.line}"` : ''}`;
    if (c.status === 'passed') return `${open}/>`;
    if (c.status === 'skipped') return `${open}>\n      <skipped message="${xml(c.message ?? '')}"/>\n    </testcase>`;
    return `${open}>\n      <failure type="${xml(c.code ?? 'FAILED')}" message="${xml(c.message ?? '')}">${xml(`${c.code ?? ''} ${c.message ?? ''}`)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="miniapp conformance" tests="${report.checks.length}" failures="${failures}" skipped="${skipped}" time="${(report.timings.totalMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(name)}" tests="${report.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${(report.timings.totalMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

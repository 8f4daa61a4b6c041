// Drives Haven's FHIR R4 surface with fhir-kit-client and checks every
// resource it serves with the npm `fhir` validator (R4, unexpected
// elements refused). Usage: node fhir.mjs BASE_URL TOKEN
import { Client } from 'fhir-kit-client';
import fhirjs from 'fhir';

const [base, token] = process.argv.slice(2);
const fhir = new fhirjs.Fhir();
const client = new Client({ baseUrl: `${base}/fhir/R4`, bearerToken: token });
let failures = 0;

function check(what, resource) {
  const r = fhir.validate(resource, { errorOnUnexpected: true });
  const errors = r.messages.filter((m) => m.severity === 'error');
  if (!r.valid || errors.length) {
    failures++;
    console.error(`FAIL ${what}: not valid R4:`);
    for (const m of errors.slice(0, 10)) console.error(`     ${m.location}: ${m.message}`);
    return false;
  }
  return true;
}

function expect(what, ok, detail = '') {
  if (!ok) {
    failures++;
    console.error(`FAIL ${what} ${detail}`);
  }
  return ok;
}

// Every entry of a searchset, following its next links; each page and
// each resource validated.
async function searchAll(resourceType, searchParams) {
  let bundle = await client.search({ resourceType, searchParams });
  const out = [];
  for (let page = 1; bundle; page++) {
    check(`${resourceType} search page ${page}`, bundle);
    for (const e of bundle.entry || []) {
      out.push(e.resource);
      expect(`${resourceType} entry fullUrl`, e.fullUrl && e.fullUrl.startsWith(base), e.fullUrl);
    }
    const next = (bundle.link || []).find((l) => l.relation === 'next');
    bundle = next ? await client.nextPage({ bundle }) : null;
  }
  return { total: out.length, resources: out };
}

const cap = await client.capabilityStatement();
check('CapabilityStatement', cap);

const qs = await searchAll('Questionnaire', { _count: 2 });
expect('Questionnaire search', qs.total > 0, 'found none');
qs.resources.forEach((q) => check(`Questionnaire/${q.id}`, q));
const first = await client.read({ resourceType: 'Questionnaire', id: qs.resources[0].id });
check(`read Questionnaire/${first.id}`, first);

// A new survivor on the clinician's care team (JSON API), then a
// screening of them as a QuestionnaireResponse created through FHIR.
const res = await fetch(`${base}/api/v1/survivors`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ name: 'Synthetic Conformance Person', aliases: [], date_of_birth: '1990-01-01', phones: [], emails: [],
    addresses: [], immigration_status: '', notes: '', cultural_considerations: '', faith_considerations: '', age_band: '',
    languages: [{ code: 'en', interpreter: false }], preferred_provider_gender: '',
    safe_contact: { do_not_contact: true, channels: [], voicemail_safe: false, code_word: '' } }),
});
expect('create a survivor through the JSON API', res.status === 201, `${res.status} ${await res.clone().text()}`);
const survivor = (await res.json()).survivor.id;
const patient = await client.read({ resourceType: 'Patient', id: survivor });
check(`Patient/${survivor}`, patient);

// Answer every item that is always enabled: no, the first option, or a
// plain value by type.
function answers(items) {
  const out = [];
  for (const it of items || []) {
    if (it.enableWhen || it.type === 'display') continue;
    if (it.type === 'group') {
      out.push({ linkId: it.linkId, item: answers(it.item) });
      continue;
    }
    const v = { boolean: { valueBoolean: false }, integer: { valueInteger: 0 }, decimal: { valueDecimal: 0 },
      string: { valueString: 'synthetic' }, text: { valueString: 'synthetic' }, date: { valueDate: '2026-01-01' } }[it.type];
    const opt = (it.answerOption || [])[0];
    const a = opt ? Object.fromEntries(Object.entries(opt).filter(([k]) => k.startsWith('value'))) : v;
    if (a) out.push({ linkId: it.linkId, answer: [a] });
  }
  return out;
}
const shipped = qs.resources.find((q) => q.status === 'active' && q.url) || qs.resources[0];
const created = await client.create({
  resourceType: 'QuestionnaireResponse',
  body: { resourceType: 'QuestionnaireResponse', status: 'completed', questionnaire: shipped.url,
    subject: { reference: `Patient/${survivor}` }, item: answers(shipped.item) },
});
check('created QuestionnaireResponse', created);
const found = await searchAll('QuestionnaireResponse', { patient: `Patient/${survivor}` });
expect('QuestionnaireResponse search by patient', found.resources.some((r) => r.id === created.id), `total ${found.total}`);

// Interactions Haven does not serve are refused as FHIR says.
try {
  await client.delete({ resourceType: 'Questionnaire', id: first.id });
  expect('DELETE Questionnaire', false, 'was accepted');
} catch (e) {
  const status = e.response && e.response.status;
  expect('DELETE Questionnaire answers 405', status === 405, `got ${status}`);
  if (e.response && e.response.data) check('OperationOutcome of a refused DELETE', e.response.data);
}

if (failures) {
  console.error(`FHIR conformance: ${failures} failures`);
  process.exit(1);
}
console.log(`ok   FHIR R4: CapabilityStatement, ${qs.total} Questionnaires (paged by next links), Patient, a QuestionnaireResponse created and found; all valid R4`);

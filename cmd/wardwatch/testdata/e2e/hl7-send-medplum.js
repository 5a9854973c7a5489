'use strict';
// An HL7 v2 sender of TestHospitalE2E (the pump gateway): @medplum/hl7's
// MLLP client sends every message in FILE over one connection and waits for
// each acknowledgement.
//
//   node hl7-send-medplum.js HOST PORT FILE
const { Hl7Message } = require('@medplum/core');
const { Hl7Client } = require('@medplum/hl7');
const readMessages = require('./hl7msgs.js');

async function main() {
  const [host, port, file] = process.argv.slice(2);
  const client = new Hl7Client({ host, port: Number(port), connectTimeout: 5000 });
  try {
    for (const text of readMessages(file)) {
      const ack = await client.sendAndWait(Hl7Message.parse(text), { timeoutMs: 5000 });
      const code = ack.getSegment('MSA')?.getField(1)?.toString();
      console.log(`hl7-send-medplum: ${ack.getSegment('MSH')?.getField(3)?.toString()} answered ${code}`);
      if (code !== 'AA') throw new Error(`acknowledgement ${code}`);
    }
  } finally {
    await client.close();
  }
}

// Exit at once: @medplum/hl7 leaves a 5 s timer running after the last
// acknowledgement.
main().then(
  () => process.exit(0),
  (err) => {
    console.error(`hl7-send-medplum: ${err.stack || err}`);
    process.exit(1);
  },
);

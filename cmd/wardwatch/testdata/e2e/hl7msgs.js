'use strict';
// Reads a file of HL7 v2 messages (one segment per line, messages separated
// by a blank line, lines starting with # dropped) and returns each message
// as text with CR segment terminators, as MLLP carries it.
const fs = require('node:fs');

module.exports = function readMessages(path) {
  const lines = fs.readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => !l.startsWith('#'));
  const msgs = [];
  let cur = [];
  for (const l of [...lines, '']) {
    if (l.trim() === '') {
      if (cur.length > 0) msgs.push(cur.join('\r'));
      cur = [];
    } else {
      cur.push(l);
    }
  }
  return msgs;
};

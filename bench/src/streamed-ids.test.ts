import { describe, expect, it } from 'vitest';
import { statusIdIn } from './streamed-ids.js';

describe('statusIdIn', () => {
  it("finds the status id in a streamed update's payload string", () => {
    const status = {
      id: '117745599521170962',
      content: '<p>"id":"1" é ✓</p>',
      account: { id: '7' },
    };
    const message = JSON.stringify({
      stream: ['user'],
      event: 'update',
      payload: JSON.stringify(status),
    });
    expect(statusIdIn(Buffer.from(message))).toBe('117745599521170962');
  });

  it('finds nothing in a message without one', () => {
    expect(statusIdIn(Buffer.from('{"event":"delete","payload":"123"}'))).toBeUndefined();
    expect(statusIdIn(Buffer.from('{"payload":"{\\"id\\":\\"\\"}"}'))).toBeUndefined();
  });
});

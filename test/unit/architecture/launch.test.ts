import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');

describe('how production starts the gateway', () => {
  it('the Dockerfile runs the command of `npm run start:prod`, Node flags included', () => {
    const scripts = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const commands = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('CMD '));
    const last = JSON.parse(commands[commands.length - 1].slice('CMD '.length)) as string[];
    expect(last).toEqual(scripts['start:prod'].split(/\s+/));
  });
});

#!/usr/bin/env -S node --max-semi-space-size=64
// `npx tanda …` in a checkout: TypeScript sources run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));

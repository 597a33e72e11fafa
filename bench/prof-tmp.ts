import { fork } from 'node:child_process';
import autocannon from 'autocannon';
const child = fork(new URL('./load-server.ts', import.meta.url), { execArgv: ['--max-semi-space-size=64', '--cpu-prof', '--cpu-prof-dir=/tmp/pool/prof', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, TANDA_VERIFY_WORKERS: '2' } });
const ready = await new Promise<any>((r) => child.on('message', (m: any) => m.type === 'ready' && r(m)));
const body = JSON.stringify({ verifiableCredential: ready.credential });
const res = await autocannon({ url: `http://127.0.0.1:${ready.port}/credentials/verify`, method: 'POST', connections: 50, duration: 15, headers: { 'content-type': 'application/json' }, body });
console.log(res.requests.average, res.latency.p99, res.non2xx);
child.send({ type: 'stop' });
await new Promise((r) => child.once('exit', r));

#!/usr/bin/env node
// Reference for bench/sync_bench: PouchDB replication over loopback TLS.
// Server: express@4 + express-pouchdb on PouchDB's memory adapter, HTTPS on 127.0.0.1 with a
// throwaway P-256 certificate (openssl), in its own Node process (as soko-server is its own process).
// Client: PouchDB in another Node process (trusting that certificate through NODE_EXTRA_CA_CERTS).
//   push: N operations (the same fields as a Soko push op) as documents in a local memory database,
//         PouchDB.replicate(local → remote, batch_size B); timed from start to complete.
//   pull: the server database holds C documents (a SKU or stock change each, like pull_bench's
//         change log); a fresh client replicates remote → local memory, batch_size P (pullBatches()).
// Usage: node pouch_bench.js [rounds=3] [ops=20000] [changes=100000] [output=../results/pouchdb.json]
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function opDoc(seq) {
    return {
        _id: 'op-' + String(seq).padStart(10, '0'),
        device_id: '11111111-1111-4111-8111-111111111111',
        seq,
        op_id: require('crypto').randomUUID(),
        type: 'receive',
        payload: { sku: 'SKU-' + (seq % 50), location: 'A-' + (seq % 20), quantity: 1 + (seq % 7) },
        operator_id: 'OP-1',
        created_at: '2026-11-29T21:40:00Z',
    };
}

function changeDoc(index) {
    const sku = 'SKU-' + String(index % 20000).padStart(6, '0');
    if (index % 5 < 2)
        return { _id: 'sku-' + String(index).padStart(8, '0'), entity: 'sku', key: sku,
                 data: { code: sku, name: 'Green tea 500 g', gtins: ['04901234567894'], base_unit: 'piece',
                         lot_controlled: false } };
    const bin = 'A-' + (index % 40) + '-' + (index % 9);
    return { _id: 'stock-' + String(index).padStart(8, '0'), warehouse: 'TKY1', entity: 'stock',
             key: sku + '|' + bin + '|', data: { sku, location: bin, lot: '', quantity: index % 500 } };
}

async function serve(keyPath, certPath, portFile, changes) {
    const https = require('https');
    const express = require('express');
    const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));
    const Memory = PouchDB.defaults({ adapter: 'memory' });
    const source = new Memory('changes');
    for (let start = 0; start < changes; start += 5000) {
        const docs = [];
        for (let i = start; i < Math.min(changes, start + 5000); ++i)
            docs.push(changeDoc(i));
        await source.bulkDocs(docs);
    }
    const app = express();
    app.use('/', require('express-pouchdb')(Memory, { mode: 'minimumForPouchDB', inMemoryConfig: true,
                                                      logPath: path.join(os.tmpdir(), 'soko-pouch-log.txt') }));
    const server = https.createServer({ key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath) }, app);
    server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
}

function rssMib(pid) {
    try {
        const status = fs.readFileSync('/proc/' + pid + '/status', 'utf8');
        const match = /VmHWM:\s+(\d+) kB/.exec(status);
        return match ? Number(match[1]) / 1024 : null;
    } catch (error) {
        return null;
    }
}

async function client(port, rounds, ops, changes) {
    const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));
    const base = 'https://127.0.0.1:' + port + '/';
    const result = { push: [], pull: [] };
    for (let round = 0; round < rounds; ++round) {
        const local = new PouchDB('outbox-' + round, { adapter: 'memory' });
        const docs = [];
        for (let seq = 1; seq <= ops; ++seq)
            docs.push(opDoc(seq));
        for (let start = 0; start < docs.length; start += 5000)
            await local.bulkDocs(docs.slice(start, start + 5000));
        const remote = new PouchDB(base + 'push-' + round);
        await remote.info(); // creates it; connection warm like Soko's keep-alive session
        let begin = process.hrtime.bigint();
        const pushed = await PouchDB.replicate(local, remote, { batch_size: 500 });
        let seconds = Number(process.hrtime.bigint() - begin) / 1e9;
        if (pushed.docs_written !== ops)
            throw new Error('push wrote ' + pushed.docs_written + ' of ' + ops);
        result.push.push(ops / seconds);
        await local.destroy();
        await remote.destroy();

        for (const batch of pullBatches()) {
            const fresh = new PouchDB('fresh-' + round + '-' + batch, { adapter: 'memory' });
            begin = process.hrtime.bigint();
            const pulled = await PouchDB.replicate(new PouchDB(base + 'changes'), fresh, { batch_size: batch,
                                                                                            batches_limit: 2 });
            seconds = Number(process.hrtime.bigint() - begin) / 1e9;
            if (pulled.docs_written !== changes)
                throw new Error('pull wrote ' + pulled.docs_written + ' of ' + changes);
            result.pull.push({ batch_size: batch, changes_per_second: changes / seconds });
            await fresh.destroy();
        }
    }
    process.stdout.write(JSON.stringify(result));
}

// Pull batch sizes: SOKO_POUCH_PULL_BATCHES (comma-separated), default 5000 (PouchDB's fastest of
// 1000/5000 here; its own default is 100). 100,000 changes take minutes per batch size.
function pullBatches() {
    return (process.env.SOKO_POUCH_PULL_BATCHES || '5000').split(',').map(Number);
}

function spread(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1], values };
}

async function main() {
    const [mode] = process.argv.slice(2);
    if (mode === 'serve')
        return serve(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]));
    if (mode === 'client')
        return client(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]));
    const rounds = Number(process.argv[2] || 3);
    const ops = Number(process.argv[3] || 20000);
    const changes = Number(process.argv[4] || 100000);
    const output = process.argv[5] || path.join(__dirname, '..', 'results', 'pouchdb.json');
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'soko-pouch-'));
    const keyPath = path.join(folder, 'key.pem');
    const certPath = path.join(folder, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                             '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=127.0.0.1',
                             '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const portFile = path.join(folder, 'port');
    const server = spawn(process.execPath, [__filename, 'serve', keyPath, certPath, portFile, String(changes)],
                         { stdio: ['ignore', 'inherit', 'inherit'] });
    const deadline = Date.now() + 300000;
    while (!fs.existsSync(portFile)) {
        if (Date.now() > deadline || server.exitCode !== null)
            throw new Error('PouchDB server did not start');
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const port = fs.readFileSync(portFile, 'utf8');
    const out = await new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [__filename, 'client', port, String(rounds), String(ops), String(changes)],
                            { env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath },
                              stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        child.stdout.on('data', (chunk) => { text += chunk; });
        child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error('client exited ' + code))));
    });
    const serverRss = rssMib(server.pid);
    server.kill('SIGTERM');
    fs.rmSync(folder, { recursive: true, force: true });
    const measured = JSON.parse(out);
    const versions = {};
    for (const name of ['pouchdb', 'express-pouchdb', 'express', 'pouchdb-adapter-memory'])
        versions[name] = require(name + '/package.json').version;
    const result = {
        benchmark: 'pouchdb',
        date_utc: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        load_average: os.loadavg().map((x) => x.toFixed(2)).join(' '),
        node: process.version,
        versions,
        rounds,
        transport: 'HTTPS (TLS, P-256 self-signed) on 127.0.0.1, server and client in separate Node processes',
        adapter: 'memory (server and client)',
        push: { ops, batch_size: 500, ops_per_second: spread(measured.push) },
        pull: pullBatches().map((batch) => ({
            batch_size: batch,
            changes,
            changes_per_second: spread(measured.pull.filter((p) => p.batch_size === batch).map((p) => p.changes_per_second)),
        })),
        server_vmhwm_mib: serverRss,
    };
    fs.writeFileSync(output, JSON.stringify(result, null, 1) + '\n');
    process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error) => {
    console.error('pouch_bench:', error && error.stack ? error.stack : error);
    process.exit(1);
});

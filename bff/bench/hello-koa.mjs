// The baseline: a bare Koa hello-world, measured in the same run as the BFF.
import http from 'node:http';
import Koa from 'koa';

const app = new Koa();
app.use(async (ctx) => {
  ctx.body = { hello: 'world' };
});
const server = http.createServer(app.callback()).listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.send?.({ ready: server.address().port });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

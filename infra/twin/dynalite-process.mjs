// dynalite in a process of its own, so the twin's DynamoDB gets a core of its
// own instead of sharing the twin's main thread. Prints the port when ready.
import dynalite from 'dynalite';

const [dir, port] = process.argv.slice(2);
const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(Number(port), '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);

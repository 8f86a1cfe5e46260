// jsroot prints `Canvas c drawing took 1.59s` with console.log when a drawing is slow (any figure on
// a loaded machine). From a worker thread that line lands in the middle of `--ui json` output and
// of the dashboard, so this one message is dropped; every other console.log passes through.
const SLOW_DRAWING = /^Canvas .*drawing took [\d.]+s$/;
let installed = false;

export function dropSlowDrawingLog(): void {
  if (installed) return;
  installed = true;
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === 'string' && SLOW_DRAWING.test(args[0])) return;
    log.apply(console, args);
  };
}

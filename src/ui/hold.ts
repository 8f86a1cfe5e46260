// The engine's stream is hot: events published before a UI has subscribed would be lost. The
// dashboard subscribes late (after Ink loads and React runs its effects), so the stream is held
// here from attach time and handed over, in order, to the first subscriber.
import type { Subscriber } from 'rxjs';
import { Observable } from 'rxjs/internal/Observable'; // not rxjs's whole index (see cli/run.ts)

type Held<T> = { kind: 'next'; value: T } | { kind: 'error'; error: unknown } | { kind: 'complete' };

export function holdUntilSubscribed<T>(source$: Observable<T>): Observable<T> {
  const held: Held<T>[] = [];
  let target: Subscriber<T> | null = null;
  const upstream = source$.subscribe({
    next: (value) => (target ? target.next(value) : held.push({ kind: 'next', value })),
    error: (error: unknown) => (target ? target.error(error) : held.push({ kind: 'error', error })),
    complete: () => (target ? target.complete() : held.push({ kind: 'complete' })),
  });
  return new Observable<T>((subscriber) => {
    if (target) {
      subscriber.error(new Error('holdUntilSubscribed: only one subscriber'));
      return;
    }
    for (const h of held.splice(0)) {
      if (h.kind === 'next') subscriber.next(h.value);
      else if (h.kind === 'error') subscriber.error(h.error);
      else subscriber.complete();
    }
    target = subscriber;
    return () => upstream.unsubscribe();
  });
}

/**
 * One statement for all the events waiting for the same question. The streaming fan-out asks two
 * things per event (which connected viewers follow the author, `followersAmongMany`; who may read
 * the status and how, `streamingAudiences`), and each statement costs PostgreSQL about the same for
 * one event as for dozens (starting it is most of the cost), so the events that reach a question
 * while a statement for it is running are asked about together in the next. With no backlog an
 * event waits for nothing (the batch goes on the next turn of the event loop); under load the
 * batches grow with the queue and the statements per second stay bounded.
 */
interface Waiting<Request, Answer> {
  request: Request;
  resolve(answer: Answer): void;
  reject(err: unknown): void;
}

export interface BatchLimits {
  /** Statements of this batcher running at once. */
  statementsInFlight: number;
  /** Requests asked in one statement. */
  requestsPerStatement: number;
}

export class StatementBatcher<Request, Answer> {
  readonly #waiting: Waiting<Request, Answer>[] = [];
  #inFlight = 0;
  #scheduled = false;

  /** `read` answers each request, in order. */
  constructor(
    private readonly read: (requests: Request[]) => Promise<Answer[]>,
    private readonly limits: BatchLimits = { statementsInFlight: 2, requestsPerStatement: 64 },
  ) {}

  /** The answer to one request, read together with the others waiting. */
  ask(request: Request): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      // The fan-outs started in this turn (a burst of events from NATS) join the same batch.
      setImmediate(() => {
        this.#scheduled = false;
        this.#send();
      });
    });
  }

  #send(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.limits.statementsInFlight) {
      const batch = this.#waiting.splice(0, this.limits.requestsPerStatement);
      this.#inFlight += 1;
      this.read(batch.map((waiting) => waiting.request))
        .then(
          (answers) => batch.forEach((waiting, i) => waiting.resolve(answers[i]!)),
          (err: unknown) => batch.forEach((waiting) => waiting.reject(err)),
        )
        .finally(() => {
          this.#inFlight -= 1;
          this.#send();
        });
    }
  }
}

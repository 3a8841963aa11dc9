import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler wired to node:assert (one per test: it keeps state). */
export const marbles = () => new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));

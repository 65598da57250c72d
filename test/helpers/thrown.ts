// The error a test expects, caught: of the given class, or the test fails with what happened instead.

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The error `fn` throws; fails the test when `fn` returns or throws anything but a `type`. */
export function thrownBy<E extends Error>(type: ErrorClass<E>, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name} to be thrown`);
}

/** The rejection of `promise`; fails the test when it resolves or rejects with anything but a `type`. */
export async function rejectionBy<E extends Error>(
  type: ErrorClass<E>,
  promise: Promise<unknown>,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name} rejection`);
}

/** Time is a port so that tests and the demo can move it; the domain takes `now` as an argument instead. */
export interface Clock {
  now(): Date;
}

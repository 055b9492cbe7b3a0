import { DurableObject } from "cloudflare:workers";

/**
 * One instance per order, addressed by the order id. Its alarm ends the 15-minute hold.
 * The hold logic arrives with the orders issue; the class exists now so the binding and
 * its migration are in place from the first deploy.
 */
export class OrderHold extends DurableObject<Env> {}

export { inbox, outbox } from "./messaging";

export declare function newClientAddress(): string;

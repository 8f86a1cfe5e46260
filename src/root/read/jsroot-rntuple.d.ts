// jsroot ships declarations for its other entry points but not for 'jsroot/rntuple'.
declare module 'jsroot/rntuple';

// Ink renders no intermediate frames when it believes it runs in CI (it reads CI at import time).
// Dashboard tests look at live frames, so they import this module before ink.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

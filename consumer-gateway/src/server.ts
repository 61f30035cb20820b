// The consumer gateway's one entry point.
import { runService } from '@tributary/core';
import { createGateway } from './gateway.js';

runService('consumer gateway', createGateway);

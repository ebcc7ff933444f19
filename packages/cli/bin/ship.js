#!/usr/bin/env node
import '../dist/ship.js';

// The page's one WebSocket: reconnects with capped exponential backoff, sends a heartbeat ping every 30 s
// (the server closes connections silent for 120 s), and turns each server message into a bus event
// ("ws:init", "ws:metric", "ws:event", "ws:session", "ws:alert", "ws:widget", ...).

import { EventBus, backoffDelay } from './utils.js';

export const CONNECTION = Object.freeze({
    CONNECTING: 'connecting',
    CONNECTED: 'connected',
    RECONNECTING: 'reconnecting',
    OFFLINE: 'offline',
});

/** ws(s)://host/ws for a page location, with ?token= when the server needs one. */
export function liveUrl(location, token = null) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    return `${scheme}://${location.host}/ws${query}`;
}

export class WebSocketManager {
    constructor({
        url,
        bus = EventBus,
        heartbeatMs = 30000,
        pongTimeoutMs = 10000,
        baseDelayMs = 500,
        maxDelayMs = 10000,
        offlineAfter = 4,
        WebSocketImpl = globalThis.WebSocket,
        setTimer = (fn, ms) => setTimeout(fn, ms),
        clearTimer = (id) => clearTimeout(id),
        setRepeating = (fn, ms) => setInterval(fn, ms),
        clearRepeating = (id) => clearInterval(id),
        random = Math.random,
    }) {
        this.url = url;
        this.bus = bus;
        this.heartbeatMs = heartbeatMs;
        this.pongTimeoutMs = pongTimeoutMs;
        this.baseDelayMs = baseDelayMs;
        this.maxDelayMs = maxDelayMs;
        this.offlineAfter = offlineAfter;
        this.WebSocketImpl = WebSocketImpl;
        this.timers = { setTimer, clearTimer, setRepeating, clearRepeating };
        this.random = random;
        this.ws = null;
        this.attempt = 0;
        this.state = null;
        this.reconnectTimer = null;
        this.heartbeat = null;
        this.pongTimer = null;
        this.stopped = false;
        this.connections = 0;
    }

    connect() {
        this.stopped = false;
        this.clearReconnect();
        if (this.ws) {
            return;
        }
        this.setState(this.attempt === 0 && this.connections === 0 ? CONNECTION.CONNECTING : this.retryState());
        let ws;
        try {
            ws = new this.WebSocketImpl(this.url);
        } catch (error) {
            console.warn('WebSocket impossible à ouvrir :', error);
            this.scheduleReconnect();
            return;
        }
        this.ws = ws;
        ws.onopen = () => {
            if (this.ws !== ws) {
                return;
            }
            this.attempt = 0;
            this.connections += 1;
            this.setState(CONNECTION.CONNECTED);
            this.startHeartbeat();
        };
        ws.onmessage = (message) => {
            if (this.ws === ws) {
                this.handleMessage(message.data);
            }
        };
        ws.onclose = () => {
            if (this.ws !== ws) {
                return;
            }
            this.ws = null;
            this.stopHeartbeat();
            if (!this.stopped) {
                this.scheduleReconnect();
            }
        };
        // A failed connection also fires "close", which schedules the retry; nothing else to do here.
        ws.onerror = () => {};
    }

    /** Closes for good (page unload, tests). */
    close() {
        this.stopped = true;
        this.clearReconnect();
        this.stopHeartbeat();
        if (this.ws) {
            const ws = this.ws;
            this.ws = null;
            ws.close();
        }
        this.setState(CONNECTION.OFFLINE);
    }

    /** Drops the current socket and reconnects now (after a missed heartbeat, or when the network is back). */
    reconnectNow() {
        this.attempt = 0;
        if (this.ws) {
            const ws = this.ws;
            this.ws = null;
            this.stopHeartbeat();
            try {
                ws.close();
            } catch (error) {
                console.warn('Fermeture du WebSocket en échec :', error);
            }
        }
        this.connect();
    }

    send(message) {
        if (this.ws && this.ws.readyState === 1) {
            this.ws.send(JSON.stringify(message));
            return true;
        }
        return false;
    }

    handleMessage(raw) {
        this.clearPongTimer();
        let message;
        try {
            message = JSON.parse(raw);
        } catch (error) {
            console.warn('Message WebSocket illisible :', error);
            return;
        }
        const type = typeof message?.type === 'string' ? message.type : 'unknown';
        this.bus.emit(`ws:${type}`, message);
        this.bus.emit('ws:message', message);
    }

    retryState() {
        return this.attempt >= this.offlineAfter ? CONNECTION.OFFLINE : CONNECTION.RECONNECTING;
    }

    scheduleReconnect() {
        this.clearReconnect();
        const delay = backoffDelay(this.attempt, {
            baseMs: this.baseDelayMs, maxMs: this.maxDelayMs, random: this.random,
        });
        this.attempt += 1;
        this.setState(this.retryState(), delay);
        this.reconnectTimer = this.timers.setTimer(() => {
            this.reconnectTimer = null;
            this.connect();
        }, delay);
    }

    clearReconnect() {
        if (this.reconnectTimer !== null) {
            this.timers.clearTimer(this.reconnectTimer);
            this.reconnectTimer = null;
        }
    }

    startHeartbeat() {
        this.stopHeartbeat();
        this.heartbeat = this.timers.setRepeating(() => {
            if (this.send({ action: 'ping' })) {
                this.clearPongTimer();
                this.pongTimer = this.timers.setTimer(() => {
                    // No answer to the ping: the connection is dead even if the socket has not noticed.
                    console.warn('Pas de réponse au ping : reconnexion.');
                    this.pongTimer = null;
                    this.reconnectNow();
                }, this.pongTimeoutMs);
            }
        }, this.heartbeatMs);
    }

    stopHeartbeat() {
        if (this.heartbeat !== null) {
            this.timers.clearRepeating(this.heartbeat);
            this.heartbeat = null;
        }
        this.clearPongTimer();
    }

    clearPongTimer() {
        if (this.pongTimer !== null) {
            this.timers.clearTimer(this.pongTimer);
            this.pongTimer = null;
        }
    }

    setState(state, retryInMs = null) {
        const changed = state !== this.state;
        this.state = state;
        this.bus.emit('ws:state', { state, attempt: this.attempt, retryInMs, changed });
    }
}

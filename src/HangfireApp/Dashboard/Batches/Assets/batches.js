// Batches pages: live refresh (poll a small JSON route, update rows in place) and operator actions.
// Loaded with the dashboard's other scripts on every page; it only acts where its elements exist.
(function () {
    'use strict';

    var pollMs = 2000;

    function requestHeaders() {
        var headers = { 'Accept': 'application/json' };
        var header = document.querySelector('meta[name="csrf-header"]');
        var token = document.querySelector('meta[name="csrf-token"]');
        if (header && token) {
            headers[header.getAttribute('content')] = token.getAttribute('content');
        }
        return headers;
    }

    function setText(root, selector, text) {
        var element = root.querySelector(selector);
        if (element && element.textContent !== String(text)) {
            element.textContent = text;
        }
    }

    function formatNumber(value) {
        return Number(value).toLocaleString('en-US');
    }

    function setLabel(element, state, text, cssClass, role) {
        if (!element || (element.getAttribute('data-state') === state && element.textContent === text)) {
            return;
        }
        element.className = 'label ' + cssClass + ' ' + role;
        element.setAttribute('data-state', state);
        element.textContent = text;
    }

    function setWidth(root, selector, percent) {
        var element = root.querySelector(selector);
        if (element) {
            element.style.width = percent + '%';
        }
    }

    function updateBatch(root, batch) {
        setLabel(root.querySelector('.batch-state'), batch.state, batch.stateText, batch.stateClass, 'batch-state');
        setWidth(root, '.batch-progress-succeeded', batch.succeededPercent);
        setWidth(root, '.batch-progress-failed', batch.failedPercent);
        setWidth(root, '.batch-progress-cancelled', batch.cancelledPercent);
        setText(root, '.batch-progress-text', batch.progressText);
        setText(root, '.batch-total', formatNumber(batch.total));
        setText(root, '.batch-pending', formatNumber(batch.pending));
        setText(root, '.batch-running', formatNumber(batch.running));
        setText(root, '.batch-succeeded', formatNumber(batch.succeeded));
        setText(root, '.batch-failed', formatNumber(batch.failed));
        setText(root, '.batch-cancelled', formatNumber(batch.cancelled));
        setText(root, '.batch-rate', batch.rate);
        setText(root, '.batch-eta', batch.eta);
        setText(root, '.batch-duration', batch.duration);
        setText(root, '.batch-run', String(batch.run));
    }

    function poll(url, apply) {
        var busy = false;
        setInterval(function () {
            if (busy || document.hidden) {
                return;
            }
            busy = true;
            fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
                .then(function (response) { return response.ok ? response.json() : null; })
                .then(function (data) { if (data) { apply(data); } })
                .catch(function () { /* the next tick tries again */ })
                .then(function () { busy = false; });
        }, pollMs);
    }

    function liveList(table) {
        var changed = document.getElementById('batches-changed');
        poll(table.getAttribute('data-live-url'), function (data) {
            var shown = Array.prototype.map.call(table.querySelectorAll('tr.batch-row'), function (row) {
                return row.getAttribute('data-batch-id');
            });
            var same = shown.length === data.batches.length;
            data.batches.forEach(function (batch, index) {
                var row = table.querySelector('tr.batch-row[data-batch-id="' + batch.id + '"]');
                if (row) {
                    updateBatch(row, batch);
                }
                same = same && shown[index] === String(batch.id);
            });
            if (changed) {
                changed.hidden = same;
            }
        });
    }

    function toggleActions(root, batch) {
        Array.prototype.forEach.call(root.querySelectorAll('[data-when]'), function (button) {
            var when = button.getAttribute('data-when');
            var show = when === 'open' ? batch.open
                : when === 'final' ? !batch.open
                : !batch.open && batch.failed + batch.cancelled > 0;
            button.hidden = !show;
        });
    }

    function updateChunk(root, chunk) {
        var row = root.querySelector('tr.chunk-row[data-chunk-no="' + chunk.chunkNo + '"]');
        if (!row) {
            return;
        }
        setLabel(row.querySelector('.chunk-state'), chunk.state, chunk.stateText, chunk.stateClass, 'chunk-state');
        setText(row, '.chunk-attempt', chunk.attempt);
        setText(row, '.chunk-epoch', chunk.epoch);
        setText(row, '.chunk-heartbeat', chunk.heartbeatAge);
        setText(row, '.chunk-succeeded', chunk.succeeded);
        setText(row, '.chunk-failed', chunk.failed);
        setText(row, '.chunk-cancelled', chunk.cancelled);
        setText(row, '.chunk-wait', chunk.wait);
        var link = row.querySelector('.chunk-job-link');
        if (link && chunk.jobId && link.textContent !== '#' + chunk.jobId) {
            link.textContent = '#' + chunk.jobId;
            link.href = link.href.replace(/[^/]*$/, encodeURIComponent(chunk.jobId));
        }
    }

    function liveDetails(root) {
        poll(root.getAttribute('data-live-url'), function (data) {
            updateBatch(root, data.batch);
            setText(root, '.batch-waiting', data.waiting);
            toggleActions(root, data.batch);
            data.chunks.forEach(function (chunk) { updateChunk(root, chunk); });
        });
    }

    function problemText(response) {
        return response.json()
            .then(function (problem) { return problem.detail || problem.title || ('HTTP ' + response.status); })
            .catch(function () { return 'HTTP ' + response.status + (response.status === 403 ? ': not allowed (reload the page)' : ''); });
    }

    function onAction(event) {
        var button = event.target.closest('.batch-action');
        if (!button || !window.confirm(button.getAttribute('data-confirm'))) {
            return;
        }
        var result = document.getElementById('batch-action-result');
        var headers = requestHeaders();
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        var scope = button.getAttribute('data-scope');
        button.disabled = true;
        fetch(button.getAttribute('data-url'), {
            method: 'POST',
            headers: headers,
            credentials: 'same-origin',
            body: scope ? 'scope=' + encodeURIComponent(scope) : ''
        }).then(function (response) {
            if (response.ok) {
                window.location.reload();
                return null;
            }
            return problemText(response).then(function (text) {
                button.disabled = false;
                if (result) {
                    result.className = 'batch-action-result text-danger';
                    result.textContent = text;
                }
            });
        });
    }

    document.addEventListener('DOMContentLoaded', function () {
        var table = document.getElementById('batches-table');
        if (table && table.getAttribute('data-live-url')) {
            liveList(table);
        }
        var details = document.getElementById('batch-details');
        if (details && details.getAttribute('data-live-url')) {
            liveDetails(details);
            details.addEventListener('click', onAction);
        }
    });
})();

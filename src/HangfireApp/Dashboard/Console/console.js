// Job console (HangfireApp): live lines and progress on the job details page, progress on the Processing list.
// Everything a job wrote goes into the page as text (textContent), never as markup.
(function () {
    'use strict';

    function element(tag, className, text) {
        var node = document.createElement(tag);
        if (className) { node.className = className; }
        if (text !== undefined && text !== null) { node.textContent = text; }
        return node;
    }

    function progressElement(name) {
        var bar = element('div', 'console-progress');
        bar.setAttribute('data-name', name);
        bar.appendChild(element('span', 'console-progress-name', name));
        var track = element('span', 'console-progress-bar');
        track.appendChild(element('span', 'console-progress-value'));
        bar.appendChild(track);
        bar.appendChild(element('span', 'console-progress-text'));
        return bar;
    }

    function setProgress(container, name, value) {
        var bar = null;
        for (var i = 0; i < container.children.length; i++) {
            if (container.children[i].getAttribute('data-name') === name) { bar = container.children[i]; break; }
        }
        if (!bar) { bar = progressElement(name); container.appendChild(bar); }
        var percent = (Math.round(Math.max(0, Math.min(100, value)) * 10) / 10) + '%';
        bar.querySelector('.console-progress-value').style.width = percent;
        bar.querySelector('.console-progress-text').textContent = percent;
    }

    function lineElement(line) {
        var node = element('div', 'console-line' + (line.color ? ' console-color-' + line.color : ''));
        node.setAttribute('data-id', line.id);
        node.appendChild(element('span', 'console-time', line.time));
        node.appendChild(document.createTextNode(' '));
        node.appendChild(element('span', 'console-text', line.text));
        return node;
    }

    function startConsole(root) {
        var url = root.getAttribute('data-lines-url');
        var jobId = root.getAttribute('data-job-id');
        var after = root.getAttribute('data-after') || '0';
        var status = root.querySelector('.console-status');
        var sections = {};

        function register(node) {
            sections[node.getAttribute('data-section-id')] = {
                progresses: node.querySelector('.console-progresses'),
                lines: node.querySelector('.console-lines')
            };
        }
        Array.prototype.forEach.call(root.querySelectorAll('.console-section'), register);

        function ensureSection(section) {
            if (sections[section.id]) { return; }
            var node = element('div', 'console-section');
            node.setAttribute('data-section-id', section.id);
            var title = element('div', 'console-section-title', section.title + ' ');
            title.appendChild(element('span', 'console-time', section.started + ' UTC'));
            node.appendChild(title);
            node.appendChild(element('div', 'console-progresses'));
            node.appendChild(element('div', 'console-lines'));
            root.appendChild(node);
            register(node);
        }

        function apply(data) {
            data.sections.forEach(ensureSection);
            // One fragment per section: the page lays out once per poll, however many lines arrived.
            var fragments = {};
            data.lines.forEach(function (line) {
                (fragments[line.sectionId] = fragments[line.sectionId] || document.createDocumentFragment()).appendChild(lineElement(line));
            });
            Object.keys(fragments).forEach(function (id) {
                var box = sections[id] && sections[id].lines;
                if (!box) { return; }
                var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 20;
                box.appendChild(fragments[id]);
                if (atBottom) { box.scrollTop = box.scrollHeight; }
            });
            data.progress.forEach(function (bar) {
                if (sections[bar.sectionId]) { setProgress(sections[bar.sectionId].progresses, bar.name, bar.value); }
            });
            after = String(data.last);
            root.setAttribute('data-after', after);
        }

        function poll() {
            fetch(url + '?job=' + encodeURIComponent(jobId) + '&after=' + encodeURIComponent(after), {
                credentials: 'same-origin', headers: { 'Accept': 'application/json' }
            }).then(function (response) {
                if (!response.ok) { throw new Error('HTTP ' + response.status); }
                return response.json();
            }).then(function (data) {
                apply(data);
                if (data.more) { poll(); }
                else if (data.live) { setTimeout(poll, 1000); }
                else {
                    root.setAttribute('data-live', 'false');
                    if (status) { status.textContent = ''; }
                }
            }).catch(function () { setTimeout(poll, 5000); });
        }

        if (root.getAttribute('data-live') === 'true') { setTimeout(poll, 1000); }
    }

    function startProcessingList() {
        if (!/\/jobs\/processing\/?$/.test(window.location.pathname)) { return; }
        var config = document.getElementById('hangfireConfig');
        var statsUrl = config && config.getAttribute('data-pollurl');
        if (!statsUrl) { return; }
        var url = statsUrl.replace(/\/stats$/, '/console/progress');
        var rows = {};
        Array.prototype.forEach.call(document.querySelectorAll('tr.js-jobs-list-row'), function (row) {
            var link = row.querySelector('a[href*="/jobs/details/"]');
            var match = link && /\/jobs\/details\/(\d+)/.exec(link.getAttribute('href'));
            if (match) { rows[match[1]] = row; }
        });
        var ids = Object.keys(rows);
        if (ids.length === 0) { return; }

        function refresh() {
            fetch(url + '?jobs=' + ids.join(','), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
                .then(function (response) { if (!response.ok) { throw new Error('HTTP ' + response.status); } return response.json(); })
                .then(function (data) {
                    ids.forEach(function (id) {
                        var bars = data[id];
                        if (!bars || bars.length === 0) { return; }
                        var row = rows[id];
                        var list = row.querySelector('.console-progress-list');
                        if (!list) {
                            list = element('div', 'console-progress-list');
                            list.setAttribute('data-job-id', id);
                            (row.querySelector('td.word-break') || row.cells[row.cells.length - 1]).appendChild(list);
                        }
                        bars.forEach(function (bar) { setProgress(list, bar.name, bar.value); });
                    });
                    setTimeout(refresh, 2000);
                })
                .catch(function () { setTimeout(refresh, 5000); });
        }
        refresh();
    }

    function start() {
        var root = document.getElementById('job-console');
        if (root) { startConsole(root); }
        startProcessingList();
    }

    if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();

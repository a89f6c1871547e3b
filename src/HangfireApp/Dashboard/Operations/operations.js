// Worker types page: live-control buttons and forms (pause/resume, running-chunk cap, server WorkerCount).
// Posts with the dashboard's antiforgery token, then reloads the page to show the stored state.
(function () {
    'use strict';

    function headers() {
        var result = { 'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' };
        var header = document.querySelector('meta[name="csrf-header"]');
        var token = document.querySelector('meta[name="csrf-token"]');
        if (header && token) {
            result[header.getAttribute('content')] = token.getAttribute('content');
        }
        return result;
    }

    function post(element, body) {
        if (!window.confirm(element.getAttribute('data-confirm'))) {
            return;
        }
        var result = document.getElementById('control-result');
        fetch(element.getAttribute('data-url'), { method: 'POST', headers: headers(), credentials: 'same-origin', body: body })
            .then(function (response) {
                if (response.ok) {
                    window.location.reload();
                    return null;
                }
                return response.json()
                    .then(function (problem) { return problem.detail || problem.title; })
                    .catch(function () { return 'HTTP ' + response.status; })
                    .then(function (text) { if (result) { result.textContent = text; } });
            });
    }

    document.addEventListener('click', function (event) {
        var button = event.target.closest('.control-action');
        if (button) {
            post(button, '');
        }
    });

    document.addEventListener('submit', function (event) {
        var form = event.target.closest('.control-form');
        if (form) {
            event.preventDefault();
            post(form, new URLSearchParams(new FormData(form)).toString());
        }
    });
})();

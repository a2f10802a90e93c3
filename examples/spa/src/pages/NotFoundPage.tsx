import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section className="not-found" data-testid="not-found">
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <Link to="/">See all roles</Link>.
      </p>
    </section>
  );
}

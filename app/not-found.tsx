// The page for addresses the app does not have.

/** Says the address is unknown and links home. */
export default function NotFound() {
  return (
    <div className="error-box" role="alert">
      <p>There is no page at this address.</p>
      <p>
        <a href="/">Back to the notebooks</a>
      </p>
    </div>
  );
}
